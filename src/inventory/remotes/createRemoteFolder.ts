import { makeError } from "../../core/errors";

/** A folder of two RemoteEvents, built unparented so nothing can fire before handlers connect. */
export interface RemoteFolder {
	readonly folder: Folder;
	/** Client → server intents. */
	readonly request: RemoteEvent;
	/** Server → client answers and state. */
	readonly reply: RemoteEvent;
}

/**
 * Builds the folder a binding serves from: `requestName` and `replyName` RemoteEvents inside a
 * folder named `folderName`. Refuses a parent that already holds such a folder (a second binding
 * would answer every request twice). The caller parents the folder once its handlers are ready.
 */
export function createRemoteFolder(
	parent: Instance,
	folderName: string,
	requestName: string,
	replyName: string,
): RemoteFolder {
	if (parent.FindFirstChild(folderName) !== undefined) {
		throw makeError("InvalidArgument", `${parent.GetFullName()} already holds ${folderName}`, {
			argument: "folderName",
		});
	}
	const folder = new Instance("Folder");
	folder.Name = folderName;
	const request = new Instance("RemoteEvent");
	request.Name = requestName;
	request.Parent = folder;
	const reply = new Instance("RemoteEvent");
	reply.Name = replyName;
	reply.Parent = folder;
	return { folder, request, reply };
}
