import { HopsafeError, makeError } from "./errors";

/** A successful outcome. */
export interface Ok<T> {
	readonly ok: true;
	readonly value: T;
}

/** A failed outcome. */
export interface Err<E> {
	readonly ok: false;
	readonly error: E;
}

/**
 * The outcome of an operation that can fail in an expected way. Expected failures are
 * values, not thrown errors, so the compiler makes callers handle them.
 *
 * @example
 * ```ts
 * import { Result, ok, err } from "@rbxts/hopsafe";
 *
 * function half(n: number): Result<number, string> {
 * 	return n % 2 === 0 ? ok(n / 2) : err("odd");
 * }
 *
 * const outcome = half(4);
 * if (outcome.ok) print(outcome.value);
 * ```
 */
export type Result<T, E = HopsafeError> = Ok<T> | Err<E>;

/** Wraps a value as a successful {@link Result}. */
export function ok<T>(value: T): Ok<T> {
	return { ok: true, value };
}

/** Wraps an error as a failed {@link Result}. */
export function err<E>(failure: E): Err<E> {
	return { ok: false, error: failure };
}

/** Applies `transform` to a successful value; passes failures through. */
export function mapResult<T, U, E>(result: Result<T, E>, transform: (value: T) => U): Result<U, E> {
	return result.ok ? ok(transform(result.value)) : result;
}

/** The value of a successful result, or `fallback` for a failure. */
export function unwrapOr<T, E>(result: Result<T, E>, fallback: T): T {
	return result.ok ? result.value : fallback;
}

/**
 * Calls a user-supplied callback, turning a throw into a `CallbackFailed` error so that a
 * broken callback can never escape into the engine.
 *
 * @example
 * ```ts
 * import { tryCallback } from "@rbxts/hopsafe";
 *
 * const outcome = tryCallback("onLoaded", () => 1 + 1);
 * if (!outcome.ok) warn(outcome.error.message);
 * ```
 */
export function tryCallback<T>(name: string, callback: () => T): Result<T, HopsafeError<"CallbackFailed">> {
	const [success, valueOrError] = pcall(callback);
	if (success) return ok(valueOrError as T);
	return err(
		makeError("CallbackFailed", `${name} threw: ${tostring(valueOrError)}`, { callback: name }, valueOrError),
	);
}
