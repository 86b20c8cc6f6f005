/** Query parameters that carry a credential: a signed answer link's token, the dashboard's key. */
const SECRET_NAMES = /^(?:token|key)$/i;

/** Whether a (decoded) query parameter name is one of those. */
export function isSecretParam(name: string): boolean {
  return SECRET_NAMES.test(name);
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * The URL with those parameters' values replaced, for log lines and problem answers alike. Names are
 * compared decoded, as the server reads them: `?%6Bey=…` is the dashboard's `key` too.
 */
export function redactQuery(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const hash = url.indexOf('#', mark);
  const query = url.slice(mark + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && isSecretParam(decoded(name)) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, mark + 1)}${redacted}${hash < 0 ? '' : url.slice(hash)}`;
}
