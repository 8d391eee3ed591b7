export type { ErrorDetailsByKind, ErrorKind, HopsafeError } from "./core/errors";
export { describeThrown, formatError, isErrorKind, isHopsafeError, makeError } from "./core/errors";
export type { Err, Ok, Result } from "./core/result";
export { err, mapResult, ok, tryCallback, unwrapOr } from "./core/result";
