/**
 * The four Lambda functions in one module, for tests and tools that run them side by side. Lambda itself
 * loads each function from its own entry point and bundle (serverless.yml `handler: src/lambda/<name>.handler`,
 * `package.individually`), so a function's cold start loads only what it calls.
 */
export { handler as webhook } from './lambda/webhook';
export { handler as status } from './lambda/status';
export { handler as worker } from './lambda/worker';
export { handler as maintainer } from './lambda/maintainer';
export { useBridgeForTests, useColdStartForTests, type ColdStartOverrides } from './lambda/cold-start';
