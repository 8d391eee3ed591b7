import { ReplicatedStorage, Workspace } from "@rbxts/services";

export = () => {
	describe("the emulated engine", () => {
		it("keys a Map by Instances", () => {
			const folder = new Instance("Folder");
			folder.Name = "MapKey";
			folder.Parent = Workspace;
			const byInstance = new Map<Instance, number>();
			byInstance.set(folder, 7);
			byInstance.set(ReplicatedStorage, 9);
			expect(byInstance.get(Workspace.FindFirstChild("MapKey")!)).to.equal(7);
			expect(byInstance.get(game.GetService("ReplicatedStorage"))).to.equal(9);
			folder.Destroy();
		});

		it("waits for a child that appears later and times out on one that never does", () => {
			const parent = new Instance("Folder");
			parent.Parent = Workspace;
			task.delay(2, () => {
				const child = new Instance("Folder");
				child.Name = "Late";
				child.Parent = parent;
			});
			const start = os.clock();
			const late = parent.WaitForChild("Late");
			expect(late.Name).to.equal("Late");
			expect(os.clock() - start >= 2).to.equal(true);
			expect(parent.WaitForChild("Never", 3)).to.equal(undefined);
			parent.Destroy();
		});

		it("requires each module once per server and shares the result", () => {
			const include = ReplicatedStorage.WaitForChild("rbxts_include");
			const first = require(include.WaitForChild("Promise") as ModuleScript);
			const second = require(include.WaitForChild("Promise") as ModuleScript);
			expect(first).to.equal(second);
		});

		it("gives each simulated server its own module cache and JobId", () => {
			const world = sim.World.new({ seed: 4 });
			const a = world.startServer();
			const b = world.startServer();
			expect(a.jobId).never.to.equal(b.jobId);
			const promiseA = a.require<object>("ReplicatedStorage.rbxts_include.Promise");
			const promiseB = b.require<object>("ReplicatedStorage.rbxts_include.Promise");
			expect(promiseA).never.to.equal(promiseB);
			expect(a.run(() => game.JobId)).to.equal(a.jobId);
		});

		it("runs a module with its own server's game, script and _G, and keeps its line numbers", () => {
			const world = sim.World.new({ seed: 5 });
			const servers = [world.startServer(), world.startServer()];
			const source = [
				"--!strict",
				"--!nolint",
				"_G.count = (_G.count or 0) + 1",
				"return function(fail: boolean)",
				"\tif fail then error('boom') end",
				"\treturn { jobId = game.JobId, name = script.Name, count = _G.count, kind = typeof(game), scriptType = type(script) }",
				"end",
			].join("\n");
			const results = servers.map((server) => {
				const module = server.run(() => {
					const created = new Instance("ModuleScript");
					created.Name = "Bound";
					created.Source = source;
					// This server's ReplicatedStorage (the import is the host's).
					created.Parent = game.GetService("ReplicatedStorage");
					return created;
				});
				const probe = server.require<
					(fail: boolean) => { jobId: string; name: string; count: number; kind: string; scriptType: string }
				>(module);
				const seen = server.run(() => probe(false));
				const [threw, message] = pcall(() => server.run(() => probe(true)));
				return { ...seen, threw, message: tostring(message) };
			});
			results.forEach((result, index) => {
				expect(result.jobId).to.equal(servers[index].jobId);
				expect(result.name).to.equal("Bound");
				// Each server's _G is its own: both modules counted one load.
				expect(result.count).to.equal(1);
				expect(result.kind).to.equal("Instance");
				expect(result.scriptType).to.equal("userdata");
				expect(result.threw).to.equal(false);
				expect(result.message.find("ReplicatedStorage.Bound:5: boom", 1, true)[0]).to.be.ok();
			});
			world.destroy();
		});

		it("gives a module that reads its environment one of its own", () => {
			const world = sim.World.new({ seed: 6 });
			const server = world.startServer();
			const module = server.run(() => {
				const created = new Instance("ModuleScript");
				created.Name = "ReadsEnvironment";
				created.Source = "local env = getfenv()\nreturn { name = env.script.Name, jobId = env.game.JobId }";
				created.Parent = game.GetService("ReplicatedStorage");
				return created;
			});
			const seen = server.require<{ name: string; jobId: string }>(module);
			expect(seen.name).to.equal("ReadsEnvironment");
			expect(seen.jobId).to.equal(server.jobId);
			world.destroy();
		});
	});
};
