// Doc-comment examples must compile. This extracts every ```ts block under an `@example` tag
// in src/**/*.ts into test/examples/ (generated, git-ignored), rewriting imports of
// "@rbxts/hopsafe" to the library's source, so the test-place build compiles them with
// roblox-ts. It also checks that every value the package index exports is documented.
//
// README.md's ```ts blocks are compiled the same way, each as its own module. A block that uses
// names defined elsewhere (a `schema`, the `vault` of an earlier section, a `player`) gets them
// from an HTML comment right before it, invisible on the rendered page:
//
//   <!-- example context
//   declare const player: Player;
//   -->
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(root, "src");
const outDir = join(root, "test", "examples");

function walk(dir) {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? walk(path) : path.endsWith(".ts") ? [path] : [];
	});
}

function docBlocks(source) {
	return [...source.matchAll(/\/\*\*([\s\S]*?)\*\//g)].map((match) =>
		match[1]
			.split("\n")
			.map((line) => line.replace(/^\s*\* ?/, ""))
			.join("\n"),
	);
}

function examplesOf(block) {
	const at = block.indexOf("@example");
	if (at < 0) return [];
	return [...block.slice(at).matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

let count = 0;
for (const file of walk(srcDir)) {
	const source = readFileSync(file, "utf8");
	const examples = docBlocks(source).flatMap(examplesOf);
	examples.forEach((code, index) => {
		const name = `${relative(srcDir, file).replace(/\.ts$/, "").replace(/[\\/]/g, "_")}_${index + 1}.ts`;
		const importPath = relative(outDir, srcDir).replace(/\\/g, "/");
		const body = code.replace(/from "@rbxts\/hopsafe"/g, `from "${importPath}"`);
		writeFileSync(
			join(outDir, name),
			`// Generated from a doc comment in ${relative(root, file)}.\n${body}\nexport {};\n`,
		);
		count += 1;
	});
}

// README.md's ```ts blocks, each with the declarations of the context comment before it.
const readme = readFileSync(join(root, "README.md"), "utf8");
let readmeCount = 0;
const readmeBlocks =
	/(?:^[ \t]*<!-- example context\n([\s\S]*?)^[ \t]*-->\n(?:[ \t]*\n)*)?^([ \t]*)```ts\n([\s\S]*?)^\2```/gm;
for (const match of readme.matchAll(readmeBlocks)) {
	const line = readme.slice(0, match.index + match[0].indexOf("```ts")).split("\n").length;
	// A block inside a list item is indented; so is its context comment.
	const dedent = (text) =>
		text
			.split("\n")
			.map((row) => (row.startsWith(match[2]) ? row.slice(match[2].length) : row))
			.join("\n");
	const importPath = relative(outDir, srcDir).replace(/\\/g, "/");
	const body = dedent(`${match[1] ?? ""}${match[3]}`).replace(/from "@rbxts\/hopsafe"/g, `from "${importPath}"`);
	writeFileSync(
		join(outDir, `README_line${line}.ts`),
		`// Generated from the \`\`\`ts block at README.md line ${line}.\n${body}\nexport {};\n`,
	);
	readmeCount += 1;
}

// Every value exported by the package index must carry a doc comment where it is declared,
// following re-exports (`export { x } from "./area"` in an area's index) to the declaration.
function readModule(specifier, fromDir) {
	for (const candidate of [join(fromDir, `${specifier}.ts`), join(fromDir, specifier, "index.ts")]) {
		try {
			return { source: readFileSync(candidate, "utf8"), dir: dirname(candidate) };
		} catch {
			// try the next form
		}
	}
	throw new Error(`cannot resolve ${specifier} from ${relative(root, fromDir)}`);
}

function isDocumented(name, specifier, fromDir, depth = 0) {
	const { source, dir } = readModule(specifier, fromDir);
	const declaration = new RegExp(
		`\\*/\\s*export (?:declare )?(?:const|function|class|enum|abstract class) ${name}\\b`,
	);
	if (declaration.test(source)) return true;
	if (depth > 5) return false;
	for (const match of source.matchAll(/^export \{([^}]*)\} from "(\.[^"]+)";/gm)) {
		const names = match[1].split(",").map((entry) => entry.trim().split(/\s+as\s+/)[0]);
		if (names.includes(name)) return isDocumented(name, match[2], dir, depth + 1);
	}
	return false;
}

const index = readFileSync(join(srcDir, "index.ts"), "utf8");
const missing = [];
for (const match of index.matchAll(/^export \{([^}]*)\} from "(\.[^"]+)";/gm)) {
	const names = match[1]
		.split(",")
		.map((name) => name.trim().split(/\s+as\s+/)[0])
		.filter(Boolean);
	for (const name of names) {
		if (!isDocumented(name, match[2], srcDir)) missing.push(`${name} (${match[2]})`);
	}
}

if (missing.length > 0) {
	console.error(`Exported without a doc comment: ${missing.join(", ")}`);
	process.exit(1);
}
console.log(
	`${count} doc-comment examples and ${readmeCount} README blocks extracted to ${relative(root, outDir)}; every export is documented`,
);
