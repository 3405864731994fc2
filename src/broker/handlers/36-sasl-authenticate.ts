/**
 * SaslAuthenticate (key 36), v0-2: one SASL token of the exchange the SaslHandshake
 * started. v1+ answers session_lifetime_ms (connections.max.reauth.ms, KIP-368) once
 * authenticated. Refused credentials: SASL_AUTHENTICATION_FAILED with Kafka's message
 * ("Authentication failed: Invalid username or password" for PLAIN), then the connection closes.
 */
import { defineHandler } from '../handler.js';
import { CloseConnection } from '../connection.js';
import { authenticateStep } from '../security/connection-gate.js';
import type { SaslAuthenticateRequest, SaslAuthenticateResponse } from '../../protocol/generated/types.js';

export default defineHandler<SaslAuthenticateRequest, SaslAuthenticateResponse>({
  apiKey: 36,
  minVersion: 0,
  maxVersion: 2,
  handle(request, ctx, services) {
    if (!ctx.session) throw new CloseConnection('SaslAuthenticate without a connection session');
    return authenticateStep(request.authBytes, ctx.session, services);
  },
});
