/**
 * SaslHandshake (key 17), v0-1: the client names its SASL mechanism; the answer lists the
 * listener's sasl.enabled.mechanisms. v1 clients then send SaslAuthenticate requests;
 * v0 clients send bare tokens (server.ts routes them). A mechanism the listener does not
 * enable is answered UNSUPPORTED_SASL_MECHANISM and the connection closed, as Kafka does.
 * On a listener without SASL the answer is ILLEGAL_SASL_STATE.
 */
import { defineHandler } from '../handler.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { SaslHandshakeRequest, SaslHandshakeResponse } from '../../protocol/generated/types.js';

export default defineHandler<SaslHandshakeRequest, SaslHandshakeResponse>({
  apiKey: 17,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx, services) {
    const session = ctx.session;
    const sasl = session?.listener.sasl;
    if (!session || !sasl) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    const mechanisms = [...sasl.mechanisms];
    if (session.authenticated) {
      // KIP-368 re-authentication: only over SaslAuthenticate (v1 handshake), same mechanism
      if (ctx.apiVersion < 1 || request.mechanism !== session.mechanism) {
        session.closeAfterResponse = 'unexpected SaslHandshake after authentication';
        return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms };
      }
      session.reauthenticating = true;
    } else if (session.server !== null) {
      session.closeAfterResponse = 'a second SaslHandshake during the SASL handshake';
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms };
    }
    if (!mechanisms.includes(request.mechanism)) {
      session.closeAfterResponse = `unsupported SASL mechanism ${request.mechanism}`;
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
    }
    session.mechanism = request.mechanism;
    session.server = session.createServer(request.mechanism, (mechanismId, user) => services.security?.securityImage().scram.get(user)?.get(mechanismId));
    session.rawTokens = ctx.apiVersion === 0;
    return { errorCode: ErrorCode.NONE, mechanisms };
  },
});
