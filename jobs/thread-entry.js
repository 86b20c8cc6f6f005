// Entry of a worker thread that runs one CPU-heavy core function (training, solving) off the main event
// loop, so BullMQ keeps renewing the job's lock. TypeScript sources load through tsx.
require('tsx/cjs');
const { parentPort, workerData } = require('node:worker_threads');

const mod = require(workerData.modulePath);
const report = (progress) => parentPort.postMessage({ type: 'progress', progress });
Promise.resolve()
  .then(() => mod[workerData.exportName](workerData.input, report))
  .then(
    (result) => parentPort.postMessage({ type: 'result', result }),
    (err) =>
      parentPort.postMessage({
        type: 'error',
        // name tells a WfmError (rebuilt as one on the other side) from a Node error that also has a code
        error: { name: err && err.name, message: String((err && err.message) || err), code: err && err.code, details: err && err.details, status: err && err.status, isCatastrophic: err && err.isCatastrophic, stack: err && err.stack },
      }),
  );
