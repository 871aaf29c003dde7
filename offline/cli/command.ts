/**
 * Runs a command's `main` and turns its result into the process's exit status. A user's
 * mistake is a status `main` returns (with one line per problem on stderr); an exception
 * escaping `main` is a bug, printed with its stack and the status `crashStatus`.
 */
export function runCommand(main: () => Promise<number>, crashStatus = 3): void {
    // A reader that stops early (`| head`) is no error of the command.
    process.stdout.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code !== "EPIPE") throw e;
        process.exit(process.exitCode ?? 0);
    });
    main().then(
        (code) => {
            process.exitCode = code;
        },
        (e: unknown) => {
            process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
            process.exitCode = crashStatus;
        },
    );
}
