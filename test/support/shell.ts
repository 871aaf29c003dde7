/**
 * Just enough shell syntax to read the commands of a Markdown document: its fenced
 * blocks, their logical lines, and the words of each invocation of a given program. Not a
 * shell: it does not expand variables or run anything, it finds commands and their
 * arguments so that tests can check the names they use.
 */

/** A fenced code block of a Markdown document. */
export interface FencedBlock {
    /** The info string's first word (`sh`, `yaml`, `text`), or "" without one. */
    readonly lang: string;
    /** The block's content, its fence indentation removed. */
    readonly text: string;
    /** The 1-based line of the opening fence. */
    readonly line: number;
    /** The nearest heading above the block. */
    readonly heading: string;
}

/** Every fenced block of a Markdown document, including those indented in list items. */
export function fencedBlocks(markdown: string): FencedBlock[] {
    const lines = markdown.split("\n");
    const blocks: FencedBlock[] = [];
    let heading = "";
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        const h = /^(#{1,6})\s+(.*)$/.exec(line);
        if (h) heading = h[2]!;
        const open = /^(\s*)```(\S*)/.exec(line);
        if (!open) continue;
        const indent = open[1]!.length;
        const body: string[] = [];
        let j = i + 1;
        for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(Math.min(indent, lines[j]!.length - lines[j]!.trimStart().length)));
        if (j >= lines.length) throw new Error(`unclosed code block at line ${i + 1}`);
        blocks.push({ lang: open[2]!, text: body.join("\n"), line: i + 1, heading });
        i = j;
    }
    return blocks;
}

/** The logical lines of a shell block: continuations joined, comment lines and blank lines dropped. */
export function logicalLines(text: string): string[] {
    const joined = text.replace(/[ \t]*\\\n\s*/g, " ");
    return joined
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#"));
}

/**
 * The words of each invocation of `program` in a logical line: a word equal to the
 * program's name, at the start of a command (the line's start, or after `|`, `;`, `&&`,
 * `||`, `$(`, `do`, `then`, `(`), and the words after it up to the end of that command.
 * Quotes are removed from words ("…" and '…'); a `$(…)` inside a word stays part of it.
 */
export function invocations(line: string, program: string): string[][] {
    const words = commandWords(line);
    const result: string[][] = [];
    for (const command of words) {
        const start = command.findIndex((w, i) => w === program && (i === 0 || ["do", "then", "time", "sudo"].includes(command[i - 1]!)));
        if (start >= 0) result.push(command.slice(start + 1));
    }
    return result;
}

/** Splits a line into commands (at unquoted `|`, `;`, `&`, `(`, `)`, `$(`, `>`, `<`) and each command into words. */
export function commandWords(line: string): string[][] {
    const commands: string[][] = [];
    let words: string[] = [];
    let word = "";
    let inWord = false;
    const endWord = (): void => {
        if (inWord) words.push(word);
        word = "";
        inWord = false;
    };
    const endCommand = (): void => {
        endWord();
        if (words.length > 0) commands.push(words);
        words = [];
    };
    for (let i = 0; i < line.length; i++) {
        const c = line[i]!;
        if (c === "'") {
            const close = line.indexOf("'", i + 1);
            if (close < 0) throw new Error(`unclosed single quote in: ${line}`);
            word += line.slice(i + 1, close);
            inWord = true;
            i = close;
        } else if (c === '"') {
            const close = closingDoubleQuote(line, i);
            const inner = line.slice(i + 1, close);
            word += inner;
            inWord = true;
            // Commands substituted inside double quotes are commands too.
            for (const sub of substitutions(inner)) commands.push(...commandWords(sub));
            i = close;
        } else if (c === "$" && line[i + 1] === "(") {
            const close = closingParen(line, i + 1);
            const inner = line.slice(i + 2, close);
            if (inWord) {
                // Part of a word (`x=$(...)` or `a$(...)`): keep it in the word, and read it as a command as well.
                word += line.slice(i, close + 1);
            } else {
                endWord();
                word = line.slice(i, close + 1);
                inWord = true;
            }
            commands.push(...commandWords(inner));
            i = close;
        } else if (c === "\\" && i + 1 < line.length) {
            word += line[i + 1];
            inWord = true;
            i++;
        } else if (/\s/.test(c)) {
            endWord();
        } else if (c === "<" && /^<[A-Za-z][\w.-]*>/.test(line.slice(i))) {
            // A placeholder such as <eks-cluster1>, part of a word.
            const close = line.indexOf(">", i);
            word += line.slice(i, close + 1);
            inWord = true;
            i = close;
        } else if ("|;&()<>".includes(c)) {
            // A file descriptor before a redirection (2>/dev/null) is not a word.
            if ((c === "<" || c === ">") && inWord && /^\d+$/.test(word)) {
                word = "";
                inWord = false;
            }
            endCommand();
            if ((c === "<" || c === ">") && line[i + 1] !== undefined) {
                // A redirection's target is not an argument of the command.
                const rest = /^\s*(\S+)/.exec(line.slice(i + 1));
                if (rest) i += rest[0].length;
            }
        } else {
            word += c;
            inWord = true;
        }
    }
    endCommand();
    return commands;
}

function closingDoubleQuote(line: string, open: number): number {
    for (let i = open + 1; i < line.length; i++) {
        const c = line[i]!;
        if (c === "\\") i++;
        else if (c === "$" && line[i + 1] === "(") i = closingParen(line, i + 1);
        else if (c === '"') return i;
    }
    throw new Error(`unclosed double quote in: ${line}`);
}

function closingParen(line: string, open: number): number {
    let depth = 0;
    for (let i = open; i < line.length; i++) {
        const c = line[i]!;
        if (c === "'") {
            i = line.indexOf("'", i + 1);
            if (i < 0) break;
        } else if (c === '"') i = closingDoubleQuote(line, i);
        else if (c === "(") depth++;
        else if (c === ")" && --depth === 0) return i;
    }
    throw new Error(`unclosed $( in: ${line}`);
}

/** The `$(…)` command substitutions directly inside a double-quoted string. */
function substitutions(inner: string): string[] {
    const subs: string[] = [];
    for (let i = 0; i < inner.length; i++) {
        if (inner[i] === "$" && inner[i + 1] === "(") {
            const close = closingParen(inner, i + 1);
            subs.push(inner.slice(i + 2, close));
            i = close;
        }
    }
    return subs;
}

/** A command's words split into flags (with their values) and positional arguments. */
export interface ParsedArgs {
    /** Flag values by flag name (`-n`, `--context`); a repeated flag keeps every value. */
    readonly flags: ReadonlyMap<string, readonly string[]>;
    /** Flags given without a value. */
    readonly switches: ReadonlySet<string>;
    /** The positional arguments, in order, before `--`. */
    readonly positionals: readonly string[];
    /** The words after `--`. */
    readonly rest: readonly string[];
}

/** Parses words, given the flags that take a value (`--flag=value` is always a value). */
export function parseArgs(words: readonly string[], valueFlags: ReadonlySet<string>): ParsedArgs {
    const flags = new Map<string, string[]>();
    const switches = new Set<string>();
    const positionals: string[] = [];
    let rest: string[] = [];
    for (let i = 0; i < words.length; i++) {
        const w = words[i]!;
        if (w === "--") {
            rest = words.slice(i + 1);
            break;
        }
        const eq = /^(--?[A-Za-z][\w-]*)=(.*)$/.exec(w);
        if (eq) {
            flags.set(eq[1]!, [...(flags.get(eq[1]!) ?? []), eq[2]!]);
        } else if (w.startsWith("-") && w.length > 1) {
            if (valueFlags.has(w) && i + 1 < words.length) {
                flags.set(w, [...(flags.get(w) ?? []), words[i + 1]!]);
                i++;
            } else {
                switches.add(w);
            }
        } else {
            positionals.push(w);
        }
    }
    return { flags, switches, positionals, rest };
}

/** The value of the first of several flags (aliases) that is present. */
export function flag(args: ParsedArgs, ...names: string[]): string | undefined {
    for (const n of names) {
        const v = args.flags.get(n);
        if (v !== undefined && v.length > 0) return v[0];
    }
    return undefined;
}

/** True for a word that is (or contains) something the reader fills in or the shell expands. */
export function isPlaceholder(word: string): boolean {
    return /[<>$]/.test(word);
}
