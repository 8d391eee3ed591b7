import { isHopsafeError } from "../../../src/core/errors";
import { ITEM_RARITIES, ItemDefInput, defineCatalog, rarityRank } from "../../../src/inventory";

function problemsOf(defs: ReadonlyArray<ItemDefInput>, currencies?: ReadonlyArray<string>): string {
	const [success, thrown] = pcall(() => defineCatalog(defs, currencies));
	if (success) return "";
	if (!isHopsafeError(thrown) || thrown.kind !== "InvalidArgument") throw `unexpected throw: ${tostring(thrown)}`;
	return thrown.message;
}

function mentions(text: string, fragment: string): boolean {
	return text.find(fragment, 1, true)[0] !== undefined;
}

export = () => {
	describe("inventory catalog", () => {
		it("fills in defaults and looks definitions up by key", () => {
			const catalog = defineCatalog(
				[{ key: "stick" }, { key: "coin_pouch", stackable: true, maxStack: 3, equipSlots: ["belt"] }],
				["coins"],
			);
			const stick = catalog.items.get("stick")!;
			expect(stick.stackable).to.equal(false);
			expect(stick.maxStack).to.equal(1);
			expect(stick.equipSlots.size()).to.equal(0);
			expect(stick.tradeable).to.equal(true);
			expect(stick.consumable).to.equal(false);
			expect(stick.rarity).to.equal("common");
			expect(stick.visibleWhenEquipped).to.equal(false);
			const pouch = catalog.items.get("coin_pouch")!;
			expect(pouch.maxStack).to.equal(3);
			expect(catalog.items.get("nothing")).to.equal(undefined);
			expect(catalog.list.size()).to.equal(2);
			expect(catalog.list[1]).to.equal(pouch);
			expect(catalog.equipSlots.has("belt")).to.equal(true);
			expect(catalog.currencies.has("coins")).to.equal(true);
			expect(catalog.currencies.has("gems")).to.equal(false);
		});

		it("is frozen, so a definition cannot change under a running game", () => {
			const catalog = defineCatalog([{ key: "stick" }]);
			const [changedDef] = pcall(() => {
				(catalog.items.get("stick") as unknown as { maxStack: number }).maxStack = 50;
			});
			const [changedMap] = pcall(() => {
				(catalog.items as Map<string, unknown>).set("other", {});
			});
			expect(changedDef).to.equal(false);
			expect(changedMap).to.equal(false);
			expect(catalog.items.get("stick")!.maxStack).to.equal(1);
		});

		it("rejects duplicate keys", () => {
			expect(mentions(problemsOf([{ key: "a" }, { key: "a" }]), "a is defined twice")).to.equal(true);
		});

		it("rejects a stackable item without a valid maxStack", () => {
			expect(mentions(problemsOf([{ key: "a", stackable: true }]), "defs[0].maxStack")).to.equal(true);
			expect(mentions(problemsOf([{ key: "a", stackable: true, maxStack: 0 }]), "defs[0].maxStack")).to.equal(
				true,
			);
			expect(mentions(problemsOf([{ key: "a", stackable: true, maxStack: 2.5 }]), "maxStack")).to.equal(true);
			expect(mentions(problemsOf([{ key: "a", stackable: true, maxStack: 0 / 0 }]), "maxStack")).to.equal(true);
			expect(mentions(problemsOf([{ key: "a", stackable: true, maxStack: math.huge }]), "maxStack")).to.equal(
				true,
			);
			expect(problemsOf([{ key: "a", stackable: true, maxStack: 1 }])).to.equal("");
		});

		it("rejects a maxStack above 1 on a unique item", () => {
			expect(mentions(problemsOf([{ key: "a", maxStack: 5 }]), "a unique item always counts 1")).to.equal(true);
		});

		it("rejects bad keys, equip slots, rarities, flags and unknown fields", () => {
			expect(mentions(problemsOf([{ key: "" }]), "defs[0].key")).to.equal(true);
			expect(mentions(problemsOf([{ key: "x".rep(65) }]), "defs[0].key")).to.equal(true);
			expect(mentions(problemsOf([{ key: "a", equipSlots: ["hand", "hand"] }]), "hand twice")).to.equal(true);
			expect(mentions(problemsOf([{ key: "a", equipSlots: [""] }]), "is not a name")).to.equal(true);
			expect(mentions(problemsOf([{ key: "a", rarity: "mythic" as never }]), "defs[0].rarity")).to.equal(true);
			expect(mentions(problemsOf([{ key: "a", tradeable: "yes" as never }]), "defs[0].tradeable")).to.equal(true);
			const typo = { key: "a", stackable: true, maxstack: 5 } as unknown as ItemDefInput;
			expect(mentions(problemsOf([typo]), "unknown field maxstack")).to.equal(true);
		});

		it("lists every problem at once", () => {
			const message = problemsOf([{ key: "a", maxStack: 3 }, { key: "b", stackable: true }, { key: "a" }]);
			expect(mentions(message, "defs[0].maxStack")).to.equal(true);
			expect(mentions(message, "defs[1].maxStack")).to.equal(true);
			// The first "a" was invalid, so the third is not a duplicate of anything kept.
			expect(mentions(message, "defined twice")).to.equal(false);
		});

		it("rejects bad or repeated currency names", () => {
			expect(mentions(problemsOf([], ["coins", "coins"]), "coins twice")).to.equal(true);
			expect(mentions(problemsOf([], [""]), "is not a name")).to.equal(true);
			const [, thrown] = pcall(() => defineCatalog([], ["coins", "coins"]));
			expect(isHopsafeError(thrown) && thrown.kind === "InvalidArgument" && thrown.details.argument).to.equal(
				"currencies",
			);
		});

		it("rejects equip slots that would share one Player attribute", () => {
			// "ring-1" and "ring_1" both show as Equipped_ring_1: other players would see one
			// slot's item under the other's name, or one slot's item erase the other's.
			const across = problemsOf([
				{ key: "a", equipSlots: ["ring-1"] },
				{ key: "b", equipSlots: ["ring_1"] },
			]);
			expect(mentions(across, "ring_1")).to.equal(true);
			expect(mentions(across, "ring-1")).to.equal(true);
			expect(mentions(across, "Equipped_ring_1")).to.equal(true);
			expect(
				mentions(problemsOf([{ key: "a", equipSlots: ["hand.left", "hand left"] }]), "Equipped_hand_left"),
			).to.equal(true);
			// One slot used by several items is one attribute, not a collision.
			expect(
				problemsOf([
					{ key: "a", equipSlots: ["ring-1"] },
					{ key: "b", equipSlots: ["ring-1"] },
				]),
			).to.equal("");
		});

		it("ranks rarities from common to legendary", () => {
			expect(ITEM_RARITIES.size()).to.equal(5);
			expect(rarityRank("common")).to.equal(0);
			expect(rarityRank("rare") > rarityRank("uncommon")).to.equal(true);
			expect(rarityRank("legendary")).to.equal(4);
			expect(rarityRank("junk" as never)).to.equal(-1);
		});
	});
};
