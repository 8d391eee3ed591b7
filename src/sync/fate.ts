// What the save API says became of a transaction sent with a key
// (`GET /v1/players/{userId}/transactions/{key}`), asked about a dead letter whose answer was lost.
import { isSafeInteger } from "../inventory/integers";
import { errorOf } from "./api";

/** Applied at a version; refused (what a retry would be answered); or nothing under the key. */
export type TransactionFate =
	| { readonly status: "applied"; readonly version: number }
	| { readonly status: "refused"; readonly code: string; readonly message: string }
	| { readonly status: "unused" };

/** The fate in an answer's body, or undefined when the body is not one. */
export function fateOf(body: unknown): TransactionFate | undefined {
	if (!typeIs(body, "table")) return undefined;
	const answer = body as { status?: unknown; version?: unknown };
	if (answer.status === "applied") {
		return isSafeInteger(answer.version) ? { status: "applied", version: answer.version } : undefined;
	}
	if (answer.status === "refused") {
		const problem = errorOf(body);
		return problem === undefined ? undefined : { status: "refused", code: problem.code, message: problem.message };
	}
	return answer.status === "unused" ? { status: "unused" } : undefined;
}
