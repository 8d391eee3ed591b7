// The ids of the messages, parcels and escrows of a trade. Each is unique per trade and player,
// so every step is idempotent: the same id is never applied twice.

/** The partner's leg on its way to (and held by) the coordinator. */
export function legId(trade: string, from: number): string {
	return `${trade}:leg:${from}`;
}

/** The coordinator's side on its way to the partner after a commit. */
export function deliverId(trade: string, to: number): string {
	return `${trade}:to:${to}`;
}

/** A side going back to the player who escrowed it (an abort, a cancel, a refund). */
export function backId(trade: string, to: number): string {
	return `${trade}:back:${to}`;
}

/** A coordinator's verdict on its way to the partner (external authority). */
export function verdictId(trade: string, to: number): string {
	return `${trade}:verdict:${to}`;
}

/** A partner's refusal of its own side, on its way to the coordinator. */
export function refusalId(trade: string, from: number): string {
	return `${trade}:refused:${from}`;
}
