/// What the platform keeps, and for how long (`MLOPS_RETAIN_*`, documented in the README).
package struct RetentionConfiguration: Sendable, Equatable {
  /// `MLOPS_RETAIN_RUN_HISTORY_DAYS`: the events and agent runs of a finished run are kept
  /// this long after it finished (its checkpoints, record and bundles stay), default 90.
  package var runHistoryDays = 90
  /// `MLOPS_RETAIN_FINISHED_JOBS_DAYS`: jobs that succeeded or died, default 7.
  package var finishedJobsDays = 7
  /// `MLOPS_RETAIN_DELETED_PROJECT_HOURS`: how long a deleted project's bundles and git
  /// repository stay before they are removed, default 0 (at the next pass).
  package var deletedProjectHours = 0

  package init() {}
}
