import { runCommand } from "../offline/cli/command";
import { doctorCommand } from "./command";

/** `npm run doctor`: doctor/command.ts on the process's arguments and streams. */

// Idle keep-alive connections of the client library must not hold the process open.
runCommand(async (args, out) => {
    const code = await doctorCommand(args, out);
    setTimeout(() => process.exit(code), 50).unref();
    return code;
});
