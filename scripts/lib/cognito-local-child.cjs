// Runs cognito-local and exits as soon as the process that started it goes
// away (its IPC channel closes), so a crashed demo or test never leaves an
// emulator behind.
process.on('disconnect', () => process.exit(0));
require('cognito-local/lib/bin/start.js');
