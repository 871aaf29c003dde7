import { runCommand } from "./command";
import { renderCommand } from "./render-command";

/** `npm run render`: render-command.ts on the process's arguments and streams. */
runCommand(renderCommand);
