// Request bodies for the save API. HttpService:JSONEncode writes an empty table as `[]`, but the
// API wants objects for item attributes and document values (`{}`), so bodies are assembled
// here: the fixed parts by hand, free-form objects through JSONEncode (an empty one as `{}`).
import type { SyncOp, SyncTransferLeg } from "./types";

/** One transaction of a batch (`POST /v1/batch`). */
export interface BatchRequest {
	readonly userId: number;
	readonly key: string;
	readonly ifMatch?: number;
	readonly ops: ReadonlyArray<SyncOp>;
	readonly reason?: string;
}

/** One player of a bulk pull (`POST /v1/changes`). */
export interface PullRequest {
	readonly userId: number;
	readonly since: number;
}

type Encode = (value: unknown) => string;

/** A JSON string literal. */
export function quote(text: string): string {
	const [escaped] = text.gsub('[%c"\\]', (character: string) => {
		if (character === '"') return '\\"';
		if (character === "\\") return "\\\\";
		return "\\u%04x".format(character.byte()[0] ?? 0);
	});
	return `"${escaped}"`;
}

/** A JSON integer (never in exponent form). */
export function integer(value: number): string {
	return "%d".format(value);
}

/** A JSON object from a string-keyed table; an empty table is `{}`. */
export function object(encode: Encode, value: Record<string, unknown>): string {
	return next(value)[0] === undefined ? "{}" : encode(value);
}

/** One operation in the API's wire format. */
export function encodeOp(encode: Encode, op: SyncOp): string {
	switch (op.op) {
		case "currency.add":
			return `{"op":"currency.add","currency":${quote(op.currency)},"amount":${integer(op.amount)}}`;
		case "item.grant": {
			const item = op.item;
			return (
				`{"op":"item.grant","item":{"id":${quote(item.id)},"def":${quote(item.def)},` +
				`"count":${integer(item.count)},"attrs":${object(encode, item.attrs)}}}`
			);
		}
		case "item.remove":
			return op.count === undefined
				? `{"op":"item.remove","id":${quote(op.id)}}`
				: `{"op":"item.remove","id":${quote(op.id)},"count":${integer(op.count)}}`;
		case "item.update":
			return `{"op":"item.update","id":${quote(op.id)},"attrs":${object(encode, op.attrs)}}`;
		case "doc.set":
			return `{"op":"doc.set","name":${quote(op.name)},"value":${object(encode, op.value)}}`;
		case "progress.advance":
			return `{"op":"progress.advance","name":${quote(op.name)},"to":${integer(op.to)}}`;
	}
}

/** `{ "ops": [...], "reason"? }`: a transaction body. */
export function encodeOps(encode: Encode, ops: ReadonlyArray<SyncOp>): string {
	return `[${ops.map((op) => encodeOp(encode, op)).join(",")}]`;
}

/** The body of `POST /v1/batch`. */
export function encodeBatch(encode: Encode, requests: ReadonlyArray<BatchRequest>): string {
	const entries = requests.map((request) => {
		let text = `{"userId":${integer(request.userId)},"idempotencyKey":${quote(request.key)}`;
		if (request.ifMatch !== undefined) text += `,"ifMatch":${integer(request.ifMatch)}`;
		text += `,"ops":${encodeOps(encode, request.ops)}`;
		if (request.reason !== undefined) text += `,"reason":${quote(request.reason)}`;
		return `${text}}`;
	});
	return `{"requests":[${entries.join(",")}]}`;
}

/** The body of `POST /v1/changes`. */
export function encodePull(players: ReadonlyArray<PullRequest>): string {
	const entries = players.map((entry) => `{"userId":${integer(entry.userId)},"since":${integer(entry.since)}}`);
	return `{"players":[${entries.join(",")}]}`;
}

/** The body of `POST /v1/transfers`. */
export function encodeTransfer(legs: ReadonlyArray<SyncTransferLeg>, reason?: string): string {
	const entries = legs.map((leg) => {
		let text = `{"from":${integer(leg.from)},"to":${integer(leg.to)}`;
		if (leg.items !== undefined) {
			const items = leg.items.map((item) => {
				let entry = `{"id":${quote(item.id)}`;
				if (item.count !== undefined) entry += `,"count":${integer(item.count)}`;
				if (item.newId !== undefined) entry += `,"newId":${quote(item.newId)}`;
				return `${entry}}`;
			});
			text += `,"items":[${items.join(",")}]`;
		}
		if (leg.currencies !== undefined) {
			const currencies = new Array<string>();
			for (const [currency, amount] of pairs(leg.currencies))
				currencies.push(`${quote(currency)}:${integer(amount)}`);
			currencies.sort();
			text += `,"currencies":{${currencies.join(",")}}`;
		}
		return `${text}}`;
	});
	const tail = reason !== undefined ? `,"reason":${quote(reason)}` : "";
	return `{"legs":[${entries.join(",")}]${tail}}`;
}

/** The body of `POST /v1/transfers/void`. */
export function encodeVoid(key: string, players: ReadonlyArray<number>): string {
	return `{"idempotencyKey":${quote(key)},"players":[${players.map(integer).join(",")}]}`;
}
