// A game's client script using the client module through the path README gives for it.
import { createInventoryClient, defineCatalog } from "@rbxts/hopsafe/out/client";

const catalog = defineCatalog([{ key: "sword", equipSlots: ["weapon"] }], ["coins"]);
const inventory = createInventoryClient({ catalog });
inventory.rejected.Connect((intent, reason) => warn(`${intent} refused: ${reason}`));
