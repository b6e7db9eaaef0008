import ArgumentParser
import Assembly
import Benchmarks

@main
struct MLOps: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mlops",
    abstract: "The agentic MLOps platform: plan, criticise, approve and generate ML systems on AWS.",
    subcommands: [
      ServeCommand.self, EdgeCommand.self, WorkerCommand.self,
      PlannerCommand.self, CriticsCommand.self, PolicyCommand.self, CodegenCommand.self,
      RunCommand.self, MigrateCommand.self, BenchCommand.self, EventsCommand.self, AnswerCommand.self,
      ApproveCommand.self, StorageCommand.self, ValidateCommand.self, TokenCommand.self,
    ]
  )
}
