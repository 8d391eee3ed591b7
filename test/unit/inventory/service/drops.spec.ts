import { createInventory } from "../../../../src/inventory/state/createInventory";
import { createInventoryService } from "../../../../src/inventory/service/createInventoryService";
import { catalog } from "../support/fixtures";
import { FakeSessions } from "./support/fakeSessions";
import { serviceSetup } from "./support/serviceFixtures";

export = () => {
	describe("inventory service drops", () => {
		it("mints unguessable tokens by default", () => {
			const sessions = new FakeSessions();
			const service = createInventoryService({ catalog, sessions, select: (data) => data.inventory });
			sessions.load(1, createInventory(1, 8));
			const tokens = new Set<string>();
			for (let index = 0; index < 5; index++) {
				const granted = service.grant(1, "shield");
				assert(granted.ok);
				const dropped = service.drop(1, 0, granted.value.minted[0]);
				assert(dropped.ok && dropped.value.events[0].kind === "dropped");
				const token = dropped.value.events[0].drop.token;
				// A GUID: 32 hex digits in groups, no braces.
				expect(token.match("^%x+%-%x+%-%x+%-%x+%-%x+$")[0] !== undefined).to.equal(true);
				tokens.add(token);
			}
			expect(tokens.size()).to.equal(5);
		});

		it("lets exactly one of several players racing for a drop pick it up", () => {
			const setup = serviceSetup();
			for (const userId of [1, 2, 3, 4]) setup.sessions.load(userId, createInventory(0, 4));
			const granted = setup.service.grant(1, "sword");
			assert(granted.ok);
			const sword = granted.value.minted[0];
			assert(setup.service.drop(1, 0, sword).ok);
			const outcomes = [2, 3, 4, 1].map((userId) => {
				const result = setup.service.pickUp(userId, "drop-1");
				return result.ok ? "won" : result.error;
			});
			expect(outcomes.filter((outcome) => outcome === "won").size()).to.equal(1);
			expect(outcomes.filter((outcome) => outcome === "drop_taken").size()).to.equal(3);
			expect(setup.service.census().locations.get(sword)).to.equal("inventory:2");
		});

		it("counts drops in the census: an id is in one inventory or one drop", () => {
			const setup = serviceSetup();
			setup.sessions.load(1, createInventory(1, 4));
			const potions = setup.service.grant(1, "potion", 6);
			assert(potions.ok);
			const dropped = setup.service.drop(1, 0, potions.value.minted[0], 2);
			assert(dropped.ok && dropped.value.events[0].kind === "dropped");
			const part = dropped.value.events[0].drop.stack.id;
			const census = setup.service.census();
			expect(census.locations.get(potions.value.minted[0])).to.equal("inventory:1");
			expect(census.locations.get(part)).to.equal("drop:drop-1");
			expect(census.dupes.size()).to.equal(0);
			expect(setup.service.despawnDrop("drop-1")).to.equal(true);
			expect(setup.service.despawnDrop("drop-1")).to.equal(false);
			expect(setup.service.census().locations.get(part)).to.equal(undefined);
		});
	});
};
