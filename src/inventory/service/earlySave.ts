import { rarityRank } from "../catalog/rarity";
import type { Catalog } from "../catalog/types";
import type { PlayerEntry } from "./entry";
import type { EarlySavePolicy } from "./types";

/**
 * Applies an {@link EarlySavePolicy}: knows which item definitions are valuable and schedules
 * one save per player per delay window. Internal to the service.
 */
export class EarlySaver {
	/** Def keys at or above the policy's rarity. */
	private readonly valuable = new Set<string>();
	private readonly delay: number;
	public readonly transfers: boolean;
	private readonly currencyThreshold: number;

	public constructor(
		catalog: Catalog,
		policy: EarlySavePolicy,
		private readonly onSave: (entry: PlayerEntry) => void,
	) {
		const minRank = rarityRank(policy.minRarity ?? "rare");
		for (const def of catalog.list) {
			if (rarityRank(def.rarity) >= minRank) this.valuable.add(def.key);
		}
		this.delay = math.max(0, policy.delay ?? 1);
		this.transfers = policy.transfers !== false;
		this.currencyThreshold = policy.currencyThreshold ?? math.huge;
	}

	/** Whether items of `defKey` are valuable enough to save soon. */
	public isValuable(defKey: string): boolean {
		return this.valuable.has(defKey);
	}

	/** Whether a currency change of `delta` saves soon. */
	public isLargeCurrencyChange(delta: number): boolean {
		return math.abs(delta) >= this.currencyThreshold;
	}

	/** Saves the player's session after the delay, unless a save is already scheduled. */
	public schedule(entry: PlayerEntry): void {
		if (entry.saveScheduled) return;
		entry.saveScheduled = true;
		task.delay(this.delay, () => {
			entry.saveScheduled = false;
			if (entry.active && entry.session.isActive()) this.onSave(entry);
		});
	}
}
