/** Query parameters that carry a credential: a signed answer link's token, the dashboard's key. */
const SECRET_QUERY_PARAMS = /([?&](?:token|key)=)[^&#]*/gi;

/** The URL with those parameters' values replaced, for log lines and problem answers alike. */
export function redactQuery(url: string | undefined): string | undefined {
  return url?.replace(SECRET_QUERY_PARAMS, '$1[redacted]');
}
