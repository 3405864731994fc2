/** A security setting that cannot be used; the message is one line naming the key and the fix. */
export class SecurityConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecurityConfigError';
  }
}
