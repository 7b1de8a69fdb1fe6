// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {Supervision} from "../types/Supervision.sol";

/// @title Calendar
/// @notice Budget-period maths: UTC civil dates and the period index of a timestamp.
/// @dev Dates use Howard Hinnant's `civil_from_days` / `days_from_civil` algorithms
/// (https://howardhinnant.github.io/date_algorithms.html), restricted to timestamps from
/// 1970-01-01 on (every value here is unsigned, so every division already rounds toward zero as
/// the algorithms expect). "Month index" = whole UTC calendar months since January 1970 (0 = 1970-01).
library Calendar {
    uint256 internal constant SECONDS_PER_DAY = 1 days;

    /// @dev Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
    uint256 private constant EPOCH_SHIFT_DAYS = 719_468;
    /// @dev Days in a 400-year era.
    uint256 private constant DAYS_PER_ERA = 146_097;

    /*//////////////////////////////////////////////////////////////////////////
                                   CIVIL DATES
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice The UTC civil date (year, month 1-12, day 1-31) of `daysSinceEpoch` days after 1970-01-01.
    function daysToCivil(uint256 daysSinceEpoch) internal pure returns (uint256 year, uint256 month, uint256 day) {
        uint256 z = daysSinceEpoch + EPOCH_SHIFT_DAYS;
        // Floor division is the algorithm (Hinnant's exact civil calendar, INVARIANTS.md), not lost precision.
        // slither-disable-next-line divide-before-multiply
        uint256 era = z / DAYS_PER_ERA;
        uint256 doe = z - era * DAYS_PER_ERA; // day of era, [0, 146096]
        // Floor division is the algorithm (Hinnant's exact civil calendar, INVARIANTS.md), not lost precision.
        // slither-disable-next-line divide-before-multiply
        uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // year of era, [0, 399]
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of the March-based year, [0, 365]
        // Floor division is the algorithm (Hinnant's exact civil calendar, INVARIANTS.md), not lost precision.
        // slither-disable-next-line divide-before-multiply
        uint256 mp = (5 * doy + 2) / 153; // March-based month, [0, 11]
        day = doy - (153 * mp + 2) / 5 + 1;
        month = mp < 10 ? mp + 3 : mp - 9;
        year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    }

    /// @notice Days from 1970-01-01 to the UTC civil date (`year` >= 1970, `month` 1-12, `day` 1-31).
    function civilToDays(uint256 year, uint256 month, uint256 day) internal pure returns (uint256) {
        uint256 y = month <= 2 ? year - 1 : year; // the March-based year starts in March
        // Floor division is the algorithm (Hinnant's exact civil calendar, INVARIANTS.md), not lost precision.
        // slither-disable-next-line divide-before-multiply
        uint256 era = y / 400;
        uint256 yoe = y - era * 400; // [0, 399]
        uint256 doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1; // [0, 365]
        uint256 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
        return era * DAYS_PER_ERA + doe - EPOCH_SHIFT_DAYS;
    }

    /// @notice Whole UTC calendar months from January 1970 to the month that contains `timestamp`.
    function monthIndex(uint256 timestamp) internal pure returns (uint256) {
        (uint256 year, uint256 month,) = daysToCivil(timestamp / SECONDS_PER_DAY);
        return (year - 1970) * 12 + (month - 1);
    }

    /// @notice The first second (UTC) of the month `index` months after January 1970.
    function monthStart(uint256 index) internal pure returns (uint256) {
        return civilToDays(1970 + index / 12, index % 12 + 1, 1) * SECONDS_PER_DAY;
    }

    /// @notice Whether `timestamp` is the first second of a UTC calendar month.
    function isMonthStart(uint256 timestamp) internal pure returns (bool) {
        if (timestamp % SECONDS_PER_DAY != 0) return false;
        (,, uint256 day) = daysToCivil(timestamp / SECONDS_PER_DAY);
        return day == 1;
    }

    /*//////////////////////////////////////////////////////////////////////////
                                     PERIODS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice The index of the period of `schedule` that contains `timestamp`.
    /// @dev Requirements: `timestamp >= schedule.anchor` (the caller checks it and names the program in
    /// its error); `schedule.length != 0`. Reverts with OpenZeppelin's `SafeCastOverflowedUintDowncast`
    /// when the index does not fit in uint32 (e.g. 1-second periods after 136 years).
    ///   Seconds: (timestamp - anchor) / length.
    ///   Months:  (monthIndex(timestamp) - monthIndex(anchor)) / length; periods follow calendar months,
    ///            so a 1-month period lasts 28, 29, 30 or 31 days.
    function periodIndex(Supervision.PeriodSchedule memory schedule, uint256 timestamp)
        internal
        pure
        returns (uint32)
    {
        uint256 elapsed;
        if (schedule.unit == Supervision.PeriodUnit.Seconds) {
            elapsed = timestamp - schedule.anchor;
        } else {
            elapsed = monthIndex(timestamp) - monthIndex(schedule.anchor);
        }
        return SafeCast.toUint32(elapsed / schedule.length);
    }

    /// @notice The first second of `period` and the first second of the next period.
    /// @dev Reverts with OpenZeppelin's `SafeCastOverflowedUintDowncast` when a bound does not fit in uint64.
    function periodBounds(Supervision.PeriodSchedule memory schedule, uint32 period)
        internal
        pure
        returns (uint64 start, uint64 end)
    {
        uint256 startSeconds;
        uint256 endSeconds;
        if (schedule.unit == Supervision.PeriodUnit.Seconds) {
            startSeconds = uint256(schedule.anchor) + uint256(period) * schedule.length;
            endSeconds = startSeconds + schedule.length;
        } else {
            uint256 firstMonth = monthIndex(schedule.anchor) + uint256(period) * schedule.length;
            startSeconds = monthStart(firstMonth);
            endSeconds = monthStart(firstMonth + schedule.length);
        }
        end = SafeCast.toUint64(endSeconds);
        // Fits: startSeconds < endSeconds, which fits.
        start = uint64(startSeconds);
    }
}
