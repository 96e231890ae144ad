/**
 * Minting the identity token, exactly as a vendor's backend does it: a
 * short-lived HS256 JWT signed with the identity secret shared with Tandem.
 * The browser cannot forge it, so Tandem trusts the account it names.
 */
import { SignJWT } from 'jose';

export interface IdentityKey {
  kid: string;
  secret: string;
}

/**
 * @example await mintIdentity({ kid: 'k1', secret: '…32+ chars…' }, { accountId: 'acct_1', userId: 'u_1' })
 */
export async function mintIdentity(
  key: IdentityKey,
  claims: { accountId: string; userId?: string; attrs?: Record<string, unknown>; ttlSeconds?: number },
): Promise<{ token: string; expiresAt: string }> {
  const ttl = claims.ttlSeconds ?? 600;
  const exp = Math.floor(Date.now() / 1000) + ttl;
  const payload: Record<string, unknown> = {};
  if (claims.userId) payload.uid = claims.userId;
  if (claims.attrs) payload.attrs = claims.attrs;
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', kid: key.kid })
    .setSubject(claims.accountId)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(key.secret));
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}
