import { runCommand } from "./command";
import { planCommand } from "./plan-command";

/** `npm run plan`: plan-command.ts on the process's arguments and streams. */
runCommand(planCommand);
