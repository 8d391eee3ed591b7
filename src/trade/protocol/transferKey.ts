// The save API key of a trade's transfer (external authority). A trade id is any text of 1 to 64
// characters, but an API key holds only letters, digits and `_ . : -`.
import { isKey, keyOf } from "../../sync/state";

/**
 * Put before an escaped id: 62 characters, so every escaped key (whose escaped part has at least
 * 3) is longer than any trade id can be, and never the key of another trade whose id is sent as
 * it is. The longest (64 characters, each escaped to 3) is 254 characters, within the API's 255.
 */
const ESCAPED = `escaped-trade-id${string.rep("-", 45)}:`;

/**
 * The API key of trade `id`: the id itself when the API can hold it (as every trade id was sent
 * before, so a transfer kept unanswered in a ledger keeps its key), otherwise the id escaped.
 */
export function transferKey(id: string): string {
	return isKey(id) ? id : `${ESCAPED}${keyOf(id)}`;
}
