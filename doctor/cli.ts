import { runCommand } from "../offline/cli/command";
import { doctorCommand } from "./command";

/** `npm run doctor`: doctor/command.ts on the process's arguments and streams. */

// Idle keep-alive connections of the client library must not hold the process open.
runCommand(async () => {
    const code = await doctorCommand(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
    setTimeout(() => process.exit(code), 50).unref();
    return code;
});
