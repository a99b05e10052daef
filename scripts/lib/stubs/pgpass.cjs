// Stands in for the pgpass package in Lambda bundles: pg asks it for a
// password only when the settings have none, by reading ~/.pgpass, which a
// Lambda function does not have. Answers "no password file", as pgpass does
// when the file is missing.
module.exports = function pgpass(_connInfo, cb) {
  cb(undefined);
};
