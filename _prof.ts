import { Bench } from "./test/doctor/harness";
import { Session } from "node:inspector/promises";
import * as fs from "node:fs";
(async () => {
  const bench = await Bench.start(["primary"]);
  bench.reset("primary");
  await bench.run("primary", { probes: false });
  const session = new Session(); session.connect();
  await session.post("Profiler.enable"); await session.post("Profiler.start");
  const cpu = process.cpuUsage();
  for (let i = 0; i < 5; i++) await bench.run("primary", { probes: false });
  const u = process.cpuUsage(cpu); console.log("cpu per run", Math.round((u.user + u.system) / 5000));
  const { profile } = await session.post("Profiler.stop");
  fs.writeFileSync("/tmp/doc/run.cpuprofile", JSON.stringify(profile));
  await bench.stop();
})().catch((e) => { console.error(e); process.exit(1); });
