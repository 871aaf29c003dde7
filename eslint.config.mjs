// ESLint with typescript-eslint's type-aware rules. Beyond the recommended set, the rules
// that catch real mistakes in a Pulumi program are errors: promises left floating (a
// resource registered after the program "ended"), non-exhaustive switches over roles
// and kinds, and any leaking out of untyped JSON.
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "bin/**", ".stryker-tmp/**", "reports/**"] },
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
            "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
            "@typescript-eslint/no-unnecessary-condition": "off",
            "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
            eqeqeq: ["error", "always"],
        },
    },
    {
        files: ["test/**/*.ts"],
        rules: {
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            // Test helpers hand back plain recorded inputs for assertions.
            "@typescript-eslint/no-explicit-any": "off",
        },
    },
    { files: ["eslint.config.mjs", "stryker.config.mjs"], ...tseslint.configs.disableTypeChecked },
);
