// uPlot ships its types at dist/uPlot.d.ts without naming them in package.json.
declare module 'uplot' {
  export { default } from 'uplot/dist/uPlot.js';
}
