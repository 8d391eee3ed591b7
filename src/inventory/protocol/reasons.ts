import { REJECT_REASONS, RejectReason } from "../operations/reasons";

/**
 * Why a request was refused before or around the inventory core: the reasons the service and
 * the remote middleware add to the core's {@link RejectReason}s. A separate union, so the
 * core's set stays closed and its exhaustiveness checks unchanged.
 */
export type ProtocolReason =
	"bad_request" | "rate_limited" | "no_session" | "authority_refused" | "denied" | "internal_error";

/** Why the server service refused an operation: a core reason, `no_session` or `authority_refused`. */
export type ServiceRejectReason = RejectReason | "no_session" | "authority_refused";

/** Why the server refused a client's request: what a rejection sent to the client carries. */
export type RequestRejectReason = RejectReason | ProtocolReason;

/** Why the client module gave up on a request it sent: the server's reason, or `timeout`. */
export type ClientRejectReason = RequestRejectReason | "timeout";

/**
 * The catalogue of protocol reasons, each with what it means. Typed as a record over
 * {@link ProtocolReason}, so a reason cannot be added without an entry.
 *
 * @example
 * ```ts
 * import { PROTOCOL_REASONS } from "@rbxts/hopsafe";
 *
 * print(PROTOCOL_REASONS.rate_limited);
 * ```
 */
export const PROTOCOL_REASONS: Readonly<Record<ProtocolReason, string>> = table.freeze({
	bad_request:
		"the request is malformed: an unknown intent, a missing or extra argument, a wrong type, a number that is not a finite integer in range, or a string of the wrong length (remote middleware)",
	rate_limited: "the player sent more requests than the per-player token bucket allows (remote middleware)",
	no_session: "the player has no active session on this server: not loaded yet, released, or the lock was lost",
	authority_refused:
		"external authority only: the sync client would not queue the change (the inventory was resynced from the save API), the change would use up what a trade still waiting gives (a stack it offers, or its coins), or it moves items between players (drop, pick up), which that mode leaves to the API's transfers (the trade service uses them)",
	denied: "the game's authorize hook refused the request (remote middleware)",
	internal_error:
		"a game callback or handler threw; nothing was changed by the request and the error went to callbackFailed",
});

const ALL_REASONS: Record<string, string> = {};
for (const [reason, text] of pairs(REJECT_REASONS)) ALL_REASONS[reason] = text;
for (const [reason, text] of pairs(PROTOCOL_REASONS)) ALL_REASONS[reason] = text;
ALL_REASONS.timeout = "no answer from the server in time; the client rolled its prediction back (client module)";
table.freeze(ALL_REASONS);

/**
 * Whether `value` is a reason a client may see: a core reason, a protocol reason or the client
 * module's `timeout`. For code reading rejections off the wire.
 *
 * @example
 * ```ts
 * import { isClientRejectReason } from "@rbxts/hopsafe";
 *
 * print(isClientRejectReason("item_mismatch"), isClientRejectReason("oops"));
 * ```
 */
export function isClientRejectReason(value: unknown): value is ClientRejectReason {
	return typeIs(value, "string") && ALL_REASONS[value] !== undefined;
}

/** Whether `value` is a reason the server sends: a core reason or a protocol reason. */
export function isRequestRejectReason(value: unknown): value is RequestRejectReason {
	return isClientRejectReason(value) && value !== "timeout";
}

/** What a reason means (for logs and toasts); undefined for anything that is not a reason. */
export function describeReason(reason: string): string | undefined {
	return ALL_REASONS[reason];
}
