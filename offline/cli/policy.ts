import { runCommand } from "./command";
import { policyCommand } from "./policy-command";

/** `npm run policy`: policy-command.ts on the process's arguments and streams. */
runCommand(policyCommand);
