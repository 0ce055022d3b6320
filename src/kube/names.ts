// Kubernetes' naming rules, and compose names made to fit them.

/** RFC 1123 label: what Service, volume and container names must be. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** RFC 1123 subdomain: what most object names must be. */
export const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** ConfigMap and Secret keys; "." and ".." are refused apart. */
export const DATA_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
/** A label or annotation key: [prefix/]name. */
export const LABEL_KEY = /^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
export const LABEL_VALUE = /^(?:[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** A DNS label made from any name: lower case, other characters as "-", at most 63. */
export function toDnsLabel(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 63).replace(/-+$/, '');
  return s || 'x';
}

export function isDataKey(k: string): boolean {
  return DATA_KEY.test(k) && k !== '.' && k !== '..';
}
