// Lint for the roblox-ts library and its specs (typed rules), and for the Node tooling.
import roblox from "eslint-plugin-roblox-ts";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
	{
		ignores: [
			"out/**",
			"out-test/**",
			"build/**",
			"include/**",
			"node_modules/**",
			"server/**",
			"sim/**",
			"test/examples/**",
		],
	},
	{
		files: ["src/**/*.ts", "test/**/*.ts"],
		extends: [...tseslint.configs.recommendedTypeChecked, roblox.configs.recommended],
		languageOptions: {
			parserOptions: {
				projectService: false,
				project: "./tsconfig.test.json",
				tsconfigRootDir: import.meta.dirname,
			},
		},
		rules: {
			"@typescript-eslint/no-floating-promises": "error",
			// `void promise` marks a deliberately unawaited promise.
			"no-void": ["error", { allowAsStatement: true }],
			"@typescript-eslint/array-type": ["error", { default: "generic", readonly: "generic" }],
			"@typescript-eslint/consistent-type-imports": "off",
			"@typescript-eslint/no-namespace": "off",
			// `require` is Roblox's ModuleScript require here, not CommonJS.
			"@typescript-eslint/no-require-imports": "off",
			"@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
			// roblox-ts code reads Luau values whose types come from .d.ts files.
			"@typescript-eslint/no-unsafe-call": "off",
			"@typescript-eslint/no-unsafe-member-access": "off",
			"@typescript-eslint/no-unsafe-assignment": "off",
			"@typescript-eslint/no-unsafe-return": "off",
			"@typescript-eslint/no-unsafe-argument": "off",
			"@typescript-eslint/restrict-template-expressions": "off",
			"@typescript-eslint/unbound-method": "off",
			"@typescript-eslint/no-unnecessary-type-assertion": "off",
			"@typescript-eslint/require-await": "off",
			"@typescript-eslint/no-redundant-type-constituents": "off",
			"@typescript-eslint/only-throw-error": "off",
			"@typescript-eslint/prefer-promise-reject-errors": "off",
		},
	},
	{
		files: ["test/**/*.d.ts"],
		rules: { "@typescript-eslint/no-explicit-any": "off" },
	},
	{
		files: ["tools/**/*.mjs", "eslint.config.mjs"],
		extends: [tseslint.configs.base],
		languageOptions: {
			globals: { process: "readonly", console: "readonly", URL: "readonly", setTimeout: "readonly" },
		},
	},
	prettier,
);
