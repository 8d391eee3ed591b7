// Where the pinned native tools live, and how to install them when they are missing.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { probe, run } from "./run.mjs";

export const PINNED = {
	lune: { crate: "lune", version: "0.10.5", versionPattern: /^lune 0\.10\.5\b/ },
	rojo: { crate: "rojo", version: "7.7.0", versionPattern: /^Rojo 7\.7\.0\b/ },
};

const cargoHome = process.env.CARGO_HOME ?? join(homedir(), ".cargo");
const cargoBin = join(cargoHome, "bin");

/** The path of a pinned tool if the pinned version is installed, else undefined. */
export function findTool(name) {
	const pin = PINNED[name];
	for (const candidate of [join(cargoBin, name), name]) {
		if (candidate.includes("/") && !existsSync(candidate)) continue;
		const version = probe(candidate, ["--version"]);
		if (version && pin.versionPattern.test(version)) return candidate;
	}
	return undefined;
}

function findCargo() {
	for (const candidate of [join(cargoBin, "cargo"), "cargo"]) {
		if (probe(candidate, ["--version"])) return candidate;
	}
	return undefined;
}

/** Installs the pinned version of a tool from crates.io unless it is already there. */
export async function ensureTool(name) {
	const found = findTool(name);
	if (found) return found;
	const pin = PINNED[name];
	const cargo = findCargo();
	if (!cargo) {
		throw new Error(`${name} ${pin.version} is not installed and cargo was not found; install Rust (rustup) first`);
	}
	console.log(`Installing ${name} ${pin.version} from crates.io (once per machine; a few minutes on 2 cores)...`);
	const code = await run(cargo, ["install", "--locked", `${pin.crate}@${pin.version}`], {
		env: {
			...process.env,
			// The release profiles use fat LTO and size optimisation; a faster build is
			// plenty for a test tool.
			CARGO_PROFILE_RELEASE_LTO: "false",
			CARGO_PROFILE_RELEASE_OPT_LEVEL: "2",
			CARGO_PROFILE_RELEASE_CODEGEN_UNITS: "16",
			CARGO_PROFILE_RELEASE_STRIP: "true",
		},
	});
	if (code !== 0) throw new Error(`cargo install ${pin.crate}@${pin.version} failed (exit ${code})`);
	const installed = findTool(name);
	if (!installed) throw new Error(`${name} ${pin.version} was installed but cannot be run`);
	return installed;
}
