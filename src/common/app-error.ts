import { ERROR_CODES, ErrorCode, errorTypeForStatus } from './error-codes';

export interface ErrorDetail {
  field: string;
  message: string;
}

export interface ErrorBody {
  error: {
    message: string;
    type: string;
    code: string;
    param: string | null;
    details?: ErrorDetail[];
  };
}

/** A typed error with a stable code; the global filter renders it in the spec's shape. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly opts: { details?: ErrorDetail[]; param?: string | null; status?: number } = {},
  ) {
    super(message ?? ERROR_CODES[code].message);
    this.status = opts.status ?? ERROR_CODES[code].status;
  }

  toBody(): ErrorBody {
    return errorBody(
      this.status,
      this.code,
      this.message,
      this.opts.param ?? null,
      this.opts.details,
    );
  }
}

export function errorBody(
  status: number,
  code: string,
  message: string,
  param: string | null = null,
  details?: ErrorDetail[],
): ErrorBody {
  const error: ErrorBody['error'] = { message, type: errorTypeForStatus(status), code, param };
  if (details && details.length > 0) error.details = details;
  return { error };
}
