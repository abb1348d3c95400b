/// A cron expression's wall-clock minutes (seconds since the epoch on a zone's clock), walked from
/// the minute containing a start point, skipping months, days and hours that cannot match.
struct WallClockWalk: IteratorProtocol {
  let expression: CronExpression
  let forward: Bool
  var day: Int64
  var minuteOfDay: Int
  let lastDay: Int64

  init(expression: CronExpression, from wall: Int64, forward: Bool) {
    self.expression = expression
    self.forward = forward
    let (day, second) = wall.floorDividedBy(86_400)
    self.day = day
    minuteOfDay = Int(second / 60)
    lastDay = forward ? day + CronExpression.searchDays : day - CronExpression.searchDays
  }

  mutating func next() -> Int64? {
    let step = forward ? 1 : -1
    while forward ? day <= lastDay : day >= lastDay {
      let date = CivilDate(daysSinceEpoch: Int(day))
      if !CronExpression.has(expression.months, date.month) {
        let first = Int64(CivilDate.daysSinceEpoch(year: date.year, month: date.month, day: 1))
        let nextMonth = date.month == 12
          ? Int64(CivilDate.daysSinceEpoch(year: date.year + 1, month: 1, day: 1))
          : Int64(CivilDate.daysSinceEpoch(year: date.year, month: date.month + 1, day: 1))
        moveToDay(forward ? nextMonth : first - 1)
        continue
      }
      if expression.matches(date, daysSinceEpoch: day) {
        while (0..<1440).contains(minuteOfDay) {
          let (hour, minute) = (minuteOfDay / 60, minuteOfDay % 60)
          if !CronExpression.has(expression.hours, hour) {
            minuteOfDay = forward ? (hour + 1) * 60 : hour * 60 - 1
            continue
          }
          minuteOfDay += step
          if CronExpression.has(expression.minutes, minute) {
            return day * 86_400 + Int64(hour * 3600 + minute * 60)
          }
        }
      }
      moveToDay(day + Int64(step))
    }
    return nil
  }

  private mutating func moveToDay(_ newDay: Int64) {
    day = newDay
    minuteOfDay = forward ? 0 : 1439
  }
}
