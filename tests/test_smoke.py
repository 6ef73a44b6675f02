from hwb_tui.domain.model import Kind, PasswordStatus


def test_demo_lists_learners_for_teacher(demo):
    teacher = demo.users.actor("teacher.demo")
    learners = demo.users.list_users(teacher, Kind.LEARNER)
    assert learners
    assert {row.status for row in learners} == set(PasswordStatus)
