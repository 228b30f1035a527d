// One hierarchy, mapped to HTTP statuses by the one error handler in platform/http/error-handler.ts.
// Messages are translation keys; details never include personal data.

export type FieldErrors = Record<string, string>;

export abstract class AppError extends Error {
  abstract readonly status: number;
  /** Translation key shown to the user. */
  readonly messageKey: string;
  constructor(messageKey: string) {
    super(messageKey);
    this.messageKey = messageKey;
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  readonly status: number = 422;
  constructor(
    readonly fieldErrors: FieldErrors,
    messageKey = 'errors.validation',
  ) {
    super(messageKey);
  }
}

/** An upload body that could not be read; `file` carries the reason, as for any field. */
export class MalformedUploadError extends ValidationError {
  override readonly status: number = 400;
  constructor(fileMessageKey: string) {
    super({ file: fileMessageKey }, fileMessageKey);
  }
}

export class UnauthenticatedError extends AppError {
  readonly status = 401;
  constructor(messageKey = 'errors.unauthenticated') {
    super(messageKey);
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  constructor(messageKey = 'errors.forbidden') {
    super(messageKey);
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  constructor(messageKey = 'errors.notFound') {
    super(messageKey);
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
  constructor(messageKey = 'errors.conflict') {
    super(messageKey);
  }
}

/** What existed and was deleted on purpose (an expired export), as opposed to what never existed. */
export class GoneError extends AppError {
  readonly status = 410;
  constructor(messageKey = 'errors.gone') {
    super(messageKey);
  }
}

export class TooManyRequestsError extends AppError {
  readonly status = 429;
  constructor(
    readonly retryAfterSeconds: number,
    messageKey = 'errors.tooManyRequests',
  ) {
    super(messageKey);
  }
}

export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  constructor(messageKey = 'errors.unavailable') {
    super(messageKey);
  }
}
