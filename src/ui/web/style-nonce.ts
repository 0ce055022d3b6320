// Puts the page's style nonce (a <meta> the server fills in per load, allowed by its CSP) on every
// <style> element this page's own code makes: xterm.js styles its cells that way, and the CSP
// refuses any other inline style. Imported first by main.ts, before anything makes one.
const nonce = document.querySelector('meta[name="berth-style-nonce"]')?.getAttribute('content') ?? '';
const proto = Document.prototype as unknown as { createElement: (this: Document, tag: string, o?: ElementCreationOptions) => HTMLElement };
const make = proto.createElement;
proto.createElement = function(this: Document, tag: string, options?: ElementCreationOptions) {
  const el = make.call(this, tag, options);
  if (nonce !== '' && tag.toLowerCase() === 'style') el.nonce = nonce;
  return el;
};
