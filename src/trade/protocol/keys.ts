// Names of the records whose saving the trade service tracks (see service/Book.ts): an outbox
// entry is delivered, an inbox entry used, a leg handed on and a decision acted upon only once
// a save that includes it is confirmed.

export const outboxKey = (id: string) => `out:${id}`;
export const inboxKey = (id: string) => `in:${id}`;
export const legKey = (trade: string) => `leg:${trade}`;
export const decisionKey = (trade: string) => `dec:${trade}`;

/** Message kinds the trade service posts through the vault. */
export const PARCEL_KIND = "hopsafe.parcel";
export const LEG_KIND = "hopsafe.leg";
/** DataStore authority: a partner's side refused on its own server, to its coordinator (see `receiveRefusal`). */
export const REFUSAL_KIND = "hopsafe.refusal";
/** External authority: a partner's side of a cross-server trade, to its coordinator. */
export const SIDE_KIND = "hopsafe.side";
/** External authority: a coordinator's verdict on a cross-server trade, to its partner. */
export const VERDICT_KIND = "hopsafe.verdict";
