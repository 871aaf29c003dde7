import { isRecord, type Json } from "./helpers";

/**
 * Readers for AWS IAM policy documents (the JSON strings of `aws:iam/policy:Policy`,
 * `aws:iam/rolePolicy:RolePolicy` and a role's `assumeRolePolicy`), following the IAM
 * policy grammar: Action/NotAction, Resource/NotResource, Principal and Condition may each be
 * a string or a list, and action patterns use `*` and `?` case-insensitively.
 */

/** One statement, normalised. */
export interface Statement {
    readonly sid: string | undefined;
    readonly effect: "Allow" | "Deny";
    readonly actions: readonly string[];
    readonly notActions: readonly string[];
    readonly resources: readonly string[];
    readonly notResources: readonly string[];
    readonly principal: unknown;
    readonly condition: Json;
}

/** Parses a policy document given as JSON text or as an object; undefined when it is neither. */
export function policyDocument(value: unknown): Json | undefined {
    if (isRecord(value)) return value;
    if (typeof value !== "string") return undefined;
    try {
        const parsed: unknown = JSON.parse(value);
        return isRecord(parsed) ? parsed : undefined;
    } catch {
        return undefined;
    }
}

const list = (value: unknown): string[] => (typeof value === "string" ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** The document's statements (a single statement object counts as a list of one). */
export function statementsOf(doc: Json): Statement[] {
    const raw = doc["Statement"];
    const items = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    return items.filter(isRecord).map((s) => ({
        sid: typeof s["Sid"] === "string" ? s["Sid"] : undefined,
        effect: s["Effect"] === "Deny" ? "Deny" : "Allow",
        actions: list(s["Action"]),
        notActions: list(s["NotAction"]),
        resources: list(s["Resource"]),
        notResources: list(s["NotResource"]),
        principal: s["Principal"],
        condition: isRecord(s["Condition"]) ? s["Condition"] : {},
    }));
}

/** True when an IAM action pattern (with `*` and `?`) matches an action, case-insensitively. */
export function actionMatches(pattern: string, action: string): boolean {
    const source = pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("");
    return new RegExp(`^${source}$`, "i").test(action);
}

/** True when an Allow statement grants `action` (through Action, or through NotAction not listing it). */
export function allows(statement: Statement, action: string): boolean {
    if (statement.effect !== "Allow") return false;
    if (statement.actions.some((p) => actionMatches(p, action))) return true;
    return statement.notActions.length > 0 && !statement.notActions.some((p) => actionMatches(p, action));
}

/** A statement's label for messages: its Sid, else its position. */
export function statementLabel(statement: Statement, index: number): string {
    return statement.sid ? `statement '${statement.sid}'` : `statement ${index + 1}`;
}

/**
 * The values a condition operator sets for a key, case-insensitively on the key (IAM
 * condition keys are case-insensitive), e.g. `conditionValues(s, "StringEquals", "...:sub")`.
 */
export function conditionValues(statement: Statement, operator: string, key: string): string[] | undefined {
    const block = statement.condition[operator];
    if (!isRecord(block)) return undefined;
    const entry = Object.entries(block).find(([k]) => k.toLowerCase() === key.toLowerCase());
    return entry ? list(entry[1]) : undefined;
}

/** Every condition key the statement tests under an operator (e.g. all `StringLike` keys). */
export function conditionKeys(statement: Statement, operator: string): string[] {
    const block = statement.condition[operator];
    return isRecord(block) ? Object.keys(block) : [];
}
