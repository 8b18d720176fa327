export default async function globalTeardown() {
  await Promise.all((globalThis.__DDB_SERVERS__ ?? []).map((s) => s.stop()))
}
