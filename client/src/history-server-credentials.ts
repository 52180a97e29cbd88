/**
 * The History Server's credentials in the editor: "Spark: Set History Server Credentials" asks for them and keeps
 * every secret in VS Code's SecretStorage (a token, a user/password, or an OAuth2 client secret; the auth kind, token
 * URL and client id are plain user settings), and historyServerAuth reads them back for a collection. No secret is
 * ever written to a settings file or a log.
 */
import * as vscode from 'vscode';
import type { CollectHistoryServerRequest } from '../../shared/src/protocol';
import { HISTORY_SERVER_AUTH_KINDS } from '../../shared/src/settings';
import { setting, updateUserSetting } from './settings';

/** SecretStorage keys of the History Server's secrets, one per auth kind that has them. */
const SECRET_KEYS = {
  token: 'sparkOptimizer.historyServer.token',
  user: 'sparkOptimizer.historyServer.user',
  password: 'sparkOptimizer.historyServer.password',
  clientSecret: 'sparkOptimizer.historyServer.clientSecret',
} as const;

type Auth = CollectHistoryServerRequest.Params['auth'];

/**
 * The credentials of `sparkOptimizer.historyServer.auth`'s kind, from SecretStorage and the user settings.
 * @returns the auth to send, or a sentence saying what is missing (to be logged, or to prompt for the credentials).
 */
export async function historyServerAuth(secrets: vscode.SecretStorage): Promise<Auth | { missing: string }> {
  const kind = setting('historyServer.auth');
  if (kind === 'bearer') {
    const token = await secrets.get(SECRET_KEYS.token);
    return token ? { kind, token } : { missing: 'no token stored' };
  }
  if (kind === 'basic') {
    const user = await secrets.get(SECRET_KEYS.user);
    const password = await secrets.get(SECRET_KEYS.password);
    return user && password !== undefined ? { kind, user, password } : { missing: 'no user/password stored' };
  }
  if (kind === 'oauth2') {
    const tokenUrl = setting('historyServer.oauth2TokenUrl');
    const clientId = setting('historyServer.oauth2ClientId');
    const clientSecret = await secrets.get(SECRET_KEYS.clientSecret);
    if (!tokenUrl || !clientId || !clientSecret)
      return { missing: 'OAuth2 token URL, client id or client secret missing' };
    const scope = setting('historyServer.oauth2Scope');
    const resource = setting('historyServer.oauth2Resource');
    return { kind, tokenUrl, clientId, clientSecret, ...(scope ? { scope } : {}), ...(resource ? { resource } : {}) };
  }
  return { kind: 'none' };
}

/** "Spark: Set History Server Credentials": the auth kind (a user setting), then its secrets into SecretStorage. */
export async function setHistoryServerCredentials(secrets: vscode.SecretStorage): Promise<void> {
  // Bearer first: the common case for a History Server behind a proxy (oauth2: client credentials, behind an OAuth2 proxy).
  const order: readonly (typeof HISTORY_SERVER_AUTH_KINDS)[number][] = ['bearer', 'basic', 'oauth2', 'none'];
  const kind = (await vscode.window.showQuickPick([...order], {
    title:
      'How does the History Server authenticate? (oauth2: client credentials, for a server behind an OAuth2 proxy)',
  })) as (typeof HISTORY_SERVER_AUTH_KINDS)[number] | undefined;
  if (!kind) return;
  await updateUserSetting('historyServer.auth', kind);
  if (kind === 'bearer') {
    const token = await vscode.window.showInputBox({
      title: 'History Server bearer token',
      password: true,
      ignoreFocusOut: true,
    });
    if (token) await secrets.store(SECRET_KEYS.token, token);
  } else if (kind === 'basic') {
    const user = await vscode.window.showInputBox({ title: 'History Server user', ignoreFocusOut: true });
    const password = user
      ? await vscode.window.showInputBox({ title: `Password of ${user}`, password: true, ignoreFocusOut: true })
      : undefined;
    if (user && password !== undefined) {
      await secrets.store(SECRET_KEYS.user, user);
      await secrets.store(SECRET_KEYS.password, password);
    }
  } else if (kind === 'oauth2') {
    const tokenUrl = await vscode.window.showInputBox({
      title: 'OAuth2 token endpoint',
      value: setting('historyServer.oauth2TokenUrl'),
      placeHolder: 'https://idp.example.com/oauth2/token',
      ignoreFocusOut: true,
    });
    if (!tokenUrl) return;
    const clientId = await vscode.window.showInputBox({
      title: 'OAuth2 client id',
      value: setting('historyServer.oauth2ClientId'),
      ignoreFocusOut: true,
    });
    if (!clientId) return;
    const secret = await vscode.window.showInputBox({
      title: `Client secret of ${clientId}`,
      prompt: 'Kept in SecretStorage and sent only to the token endpoint.',
      password: true,
      ignoreFocusOut: true,
    });
    if (!secret) return;
    await updateUserSetting('historyServer.oauth2TokenUrl', tokenUrl);
    await updateUserSetting('historyServer.oauth2ClientId', clientId);
    await secrets.store(SECRET_KEYS.clientSecret, secret);
  }
}

/** Offers "Set Credentials" when a collection needs credentials that are not stored. */
export async function askForHistoryServerCredentials(secrets: vscode.SecretStorage): Promise<void> {
  const pick = await vscode.window.showWarningMessage(
    'The History Server needs credentials, and none are stored yet.',
    'Set Credentials',
  );
  if (pick) await setHistoryServerCredentials(secrets);
}
