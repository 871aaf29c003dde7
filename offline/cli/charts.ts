import { runCommand } from "./command";
import { chartsCommand } from "./charts-command";

/** `npm run charts`: charts-command.ts on the process's arguments and streams. */
runCommand(chartsCommand);
