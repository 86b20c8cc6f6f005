/**
 * A body that is not JSON gets a 400 saying what is wrong, without quoting the body back: V8's message
 * quotes the text around the bad token, and a phone number written without quotes was echoed in the
 * problem's detail (a data-protection finding).
 */
import { startTestService, KEYS, type TestService } from '../support/service';
import { withoutQuotedInput } from '../../src/http/problem';

describe('malformed JSON bodies', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(() => t.stop());

  test('when an agent body has a phone number without quotes, then the 400 names the bad token and /body, and no digit of the number comes back', async () => {
    const res = await t.http
      .put('/agents/X7')
      .set('X-API-Key', KEYS.admin)
      .type('application/json')
      .send('{"id":"X7","name":"Xavier Leak","phone":+447911123456}');
    expect([res.status, res.type]).toEqual([400, 'application/problem+json']);
    expect(res.body.detail).toBe("the body is not valid JSON: Unexpected token '+' (the body is not quoted back)");
    expect(res.body.errors).toEqual([{ where: '/body', message: "Unexpected token '+' (the body is not quoted back)" }]);
    expect(JSON.stringify(res.body)).not.toMatch(/7911|Xavier/);
  });

  test('when V8 gives a position rather than a quote, then the message is kept whole', () => {
    expect(withoutQuotedInput("Expected ':' after property name in JSON at position 5")).toBe("Expected ':' after property name in JSON at position 5");
    expect(withoutQuotedInput('Unexpected end of JSON input')).toBe('Unexpected end of JSON input');
    expect(withoutQuotedInput('Unexpected token \']\', "[1,]" is not valid JSON')).toBe("Unexpected token ']' (the body is not quoted back)");
  });
});
