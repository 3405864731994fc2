/**
 * Errors of the Connect runtime. ConnectRestError carries the HTTP status the REST
 * API answers with (Kafka's ConnectRestException family: NotFoundException 404,
 * AlreadyExistsException 409, BadRequestException 400, anything else 500), and the
 * message goes into the `{"error_code":…,"message":…}` body unchanged.
 */

/** Kafka's DataException: a value that a converter or connector cannot handle. */
export class DataException extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataException';
  }
}

/** A configuration the worker or a connector cannot run with (Kafka's ConfigException): the one line a user fixes. */
export class ConnectConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectConfigError';
  }
}

export class ConnectRestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ConnectRestError';
  }
}

export const alreadyExists = (message: string): ConnectRestError => new ConnectRestError(409, message);
export const badRequest = (message: string): ConnectRestError => new ConnectRestError(400, message);
