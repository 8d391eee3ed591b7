import { InventoryState } from "./types";

/**
 * Mints the next globally unique item id, `${owner}-${serial}`, and advances the inventory's
 * serial. The serial lives in the profile, so ids stay unique across sessions and servers: the
 * session lock guarantees one writer per profile, and the serial never goes back.
 */
export function mintItemId(state: InventoryState): string {
	const serial = state.nextSerial;
	state.nextSerial = serial + 1;
	return `${state.owner}-${serial}`;
}

/** The serial of `id` if it is in the series `mintItemId` mints for `owner`, else undefined. */
export function serialOf(owner: number, id: string): number | undefined {
	const prefix = `${owner}-`;
	if (id.sub(1, prefix.size()) !== prefix) return undefined;
	const serial = tonumber(id.sub(prefix.size() + 1));
	return serial !== undefined && serial % 1 === 0 ? serial : undefined;
}

/** Serials each session of a profile may mint in external authority (see `enterSerialBlock`). */
export const SESSION_SERIALS = 1048576;

/**
 * Moves the serial to the start of the session's own block. In external authority an id reaches
 * the save API before the profile holding the serial is saved, so a crash in between would let
 * the next session mint it again (and the API refuse it as an existing item). Sessions of a
 * profile are numbered (ProfileService's load count, written with the lock), so their blocks
 * never overlap.
 */
export function enterSerialBlock(state: InventoryState, generation: number): void {
	const floor = generation * SESSION_SERIALS + 1;
	if (state.nextSerial < floor) state.nextSerial = floor;
}
