/**
 * OAuth 2.0 client credentials of the History Server collector (server/src/history/history-server/oauth2.ts): the
 * request's client authentication and form, and the reading of token responses, checked against the examples of
 * RFC 6749 itself (section 2.3.1: client "s6BhdRkqt3" with secret "7Fjfp0ZBr1KtDRbnfVdmIw" sends
 * "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3"; section 5.1's token response; section 5.2's error response).
 * The exchange with a real authorization server is in test/live/history-server-oauth2.test.ts.
 */
import * as assert from 'assert';
import {
  clientSecretBasic,
  parseTokenResponse,
  TokenRequestError,
  tokenRequestForm,
} from '../server/src/history/history-server/oauth2';

const RFC_CLIENT = {
  tokenUrl: 'https://server.example.com/token',
  clientId: 's6BhdRkqt3',
  clientSecret: '7Fjfp0ZBr1KtDRbnfVdmIw',
};

describe('OAuth2 client credentials: request and response (RFC 6749 examples)', () => {
  it('authenticates the client as RFC 6749 section 2.3.1 shows, form-urlencoding id and secret first', () => {
    assert.strictEqual(clientSecretBasic(RFC_CLIENT), 'Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3');
    // "a:b" / "p w" are encoded as a%3Ab / p+w before base64 (so the id's colon is not the separator).
    assert.strictEqual(
      Buffer.from(
        clientSecretBasic({ ...RFC_CLIENT, clientId: 'a:b', clientSecret: 'p w' }).slice(6),
        'base64',
      ).toString(),
      'a%3Ab:p+w',
    );
  });

  it('asks with grant_type=client_credentials, and scope and resource (RFC 8707) only when given', () => {
    assert.strictEqual(tokenRequestForm(RFC_CLIENT).toString(), 'grant_type=client_credentials');
    assert.strictEqual(
      tokenRequestForm({ ...RFC_CLIENT, scope: 'history:read', resource: 'urn:shs' }).toString(),
      'grant_type=client_credentials&scope=history%3Aread&resource=urn%3Ashs',
    );
  });

  it("reads section 5.1's response (token_type Bearer; expires_in as a number or a string of digits)", () => {
    const body = {
      access_token: '2YotnFZFEjr1zCsicMWpAA',
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: 'tGzv3JOkF0XG5Qx2TlKWIA',
    };
    assert.deepStrictEqual(parseTokenResponse({ status: 200, body: JSON.stringify(body) }, RFC_CLIENT.tokenUrl), {
      accessToken: '2YotnFZFEjr1zCsicMWpAA',
      expiresInSeconds: 3600,
    });
    assert.deepStrictEqual(
      parseTokenResponse({ status: 200, body: JSON.stringify({ ...body, expires_in: '3599' }) }, RFC_CLIENT.tokenUrl)
        .expiresInSeconds,
      3599,
    );
    assert.deepStrictEqual(
      parseTokenResponse(
        { status: 200, body: JSON.stringify({ access_token: 'x', token_type: 'bearer' }) },
        RFC_CLIENT.tokenUrl,
      ),
      { accessToken: 'x', expiresInSeconds: null },
    );
  });

  it("reports section 5.2's error response, a non-bearer token and a server failure (retryable) clearly", () => {
    const err = (status: number, body: string) => {
      try {
        parseTokenResponse({ status, body }, RFC_CLIENT.tokenUrl);
      } catch (e) {
        return e as TokenRequestError;
      }
      throw new Error('no error');
    };
    const e1 = err(400, '{"error":"invalid_request"}');
    assert.strictEqual(e1.message, 'Token endpoint https://server.example.com/token answered 400: invalid_request');
    assert.deepStrictEqual([e1.status, e1.retryable, e1.kind], [400, false, 'other']);
    const refused = err(401, '{"error":"invalid_client","error_description":"client authentication failed"}');
    assert.strictEqual(
      refused.message,
      'Token endpoint https://server.example.com/token answered 401: invalid_client (client authentication failed)',
    );
    assert.deepStrictEqual([refused.kind, refused.retryable], ['credentials', false]);
    assert.strictEqual(
      err(400, '{"error":"invalid_scope"}').message,
      'Token endpoint https://server.example.com/token answered 400: invalid_scope; check the scope asked for',
    );
    assert.match(
      err(200, '{"access_token":"x","token_type":"example"}').message,
      /without a bearer access token \(token_type: token_type is not Bearer\)/,
    );
    const e5 = err(503, '<html>down</html>');
    assert.strictEqual(e5.message, 'Token endpoint https://server.example.com/token answered 503: <html>down</html>');
    assert.strictEqual(e5.retryable, true);
  });
});
