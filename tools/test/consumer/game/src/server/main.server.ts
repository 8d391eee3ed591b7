// A game's server script, as README's "Using the library" shows it: a vault that loads each
// player on join; the game changes the data and saves it before telling the player.
import { createVault } from "@rbxts/hopsafe";
import { Players } from "@rbxts/services";
import { t } from "@rbxts/t";
import { describeCoins } from "shared/module";

interface PlayerData {
	coins: number;
	items: Array<string>;
}

const vault = createVault<PlayerData>({
	name: "PlayerData",
	template: { coins: 0, items: [] },
	schema: t.interface({ coins: t.number, items: t.array(t.string) }),
	migrations: [(old) => ({ coins: (old as { gold: number }).gold, items: [] })],
});

// The driver reads what happened from the player's attributes.
vault.loaded.Connect((session) => {
	print(describeCoins(session.userId, session.data.coins));
	session.player.SetAttribute("loadedCoins", session.data.coins);
	session.player.SetAttribute("loadedItems", session.data.items.join(","));
	session.data.coins += 25;
	session.data.items.push(`reward${session.data.items.size() + 1}`);
	session
		.saveAsync()
		.then(() => session.player.SetAttribute("saved", true))
		.catch((reason) => session.player.SetAttribute("saveFailed", tostring(reason)));
});
vault.lockLost.Connect((userId) => warn(`${userId}'s data moved to another server`));
vault.loadFailed.Connect((failure) => {
	warn(`load failed for ${failure.userId}: ${failure.error.kind}`);
	Players.GetPlayerByUserId(failure.userId)?.SetAttribute("loadFailed", failure.error.kind);
});
