import { createInventoryService } from "../../../../../src/inventory/service/createInventoryService";
import type { EarlySavePolicy, InventoryService } from "../../../../../src/inventory/service/types";
import { catalog } from "../../support/fixtures";
import { FakeSessions } from "./fakeSessions";

export interface ServiceSetup {
	readonly sessions: FakeSessions;
	readonly service: InventoryService;
}

/** A service over fake sessions, with the core specs' catalog and predictable drop tokens. */
export function serviceSetup(policy?: EarlySavePolicy | false): ServiceSetup {
	const sessions = new FakeSessions();
	let serial = 0;
	const service = createInventoryService({
		catalog,
		sessions,
		select: (data) => data.inventory,
		policy,
		newDropToken: () => {
			serial += 1;
			return `drop-${serial}`;
		},
	});
	return { sessions, service };
}
